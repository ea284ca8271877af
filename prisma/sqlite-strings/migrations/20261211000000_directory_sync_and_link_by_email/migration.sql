-- AlterTable
ALTER TABLE "SsoIdentity" ADD COLUMN "directoryUserId" TEXT;

-- CreateTable
CREATE TABLE "WorkosWebhookEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "signature" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LoginRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "emailRegex" TEXT NOT NULL DEFAULT '',
    "lookupAttributes" TEXT NOT NULL DEFAULT '{}',
    "connectionId" TEXT NOT NULL DEFAULT '',
    "organizationId" TEXT NOT NULL DEFAULT '',
    "jitCreation" TEXT NOT NULL DEFAULT 'off',
    "savedAttributes" TEXT NOT NULL DEFAULT '{}',
    "totpOrganizationName" TEXT NOT NULL DEFAULT '',
    "allowIdpInitiated" BOOLEAN NOT NULL DEFAULT false,
    "linkExistingByEmail" BOOLEAN,
    "directoryProvisioning" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_LoginRule" ("allowIdpInitiated", "connectionId", "createdAt", "emailRegex", "enabled", "id", "jitCreation", "lookupAttributes", "method", "name", "organizationId", "priority", "savedAttributes", "totpOrganizationName", "updatedAt") SELECT "allowIdpInitiated", "connectionId", "createdAt", "emailRegex", "enabled", "id", "jitCreation", "lookupAttributes", "method", "name", "organizationId", "priority", "savedAttributes", "totpOrganizationName", "updatedAt" FROM "LoginRule";
DROP TABLE "LoginRule";
ALTER TABLE "new_LoginRule" RENAME TO "LoginRule";
CREATE UNIQUE INDEX "LoginRule_name_key" ON "LoginRule"("name");
CREATE UNIQUE INDEX "LoginRule_priority_key" ON "LoginRule"("priority");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "WorkosWebhookEvent_receivedAt_idx" ON "WorkosWebhookEvent"("receivedAt");

-- CreateIndex
CREATE INDEX "SsoIdentity_directoryUserId_idx" ON "SsoIdentity"("directoryUserId");
