-- AlterTable
ALTER TABLE "LoginRule" ADD COLUMN "linkExistingByEmail" BOOLEAN;
