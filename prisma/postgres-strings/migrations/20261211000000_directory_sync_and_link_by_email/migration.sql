-- AlterTable
ALTER TABLE "LoginRule" ADD COLUMN     "directoryProvisioning" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "linkExistingByEmail" BOOLEAN;

-- AlterTable
ALTER TABLE "SsoIdentity" ADD COLUMN     "directoryUserId" TEXT;

-- CreateTable
CREATE TABLE "WorkosWebhookEvent" (
    "id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkosWebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkosWebhookEvent_receivedAt_idx" ON "WorkosWebhookEvent"("receivedAt");

-- CreateIndex
CREATE INDEX "SsoIdentity_directoryUserId_idx" ON "SsoIdentity"("directoryUserId");
