-- CreateTable
CREATE TABLE "LoginRuleVersion" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LoginRuleVersion_pkey" PRIMARY KEY ("id")
);
