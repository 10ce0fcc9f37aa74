-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "event_log" (
    "id" BIGSERIAL NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "actorId" VARCHAR(255),
    "actorName" VARCHAR(255),
    "tool" VARCHAR(100) NOT NULL,
    "action" VARCHAR(100) NOT NULL,
    "objectType" VARCHAR(100) NOT NULL,
    "objectId" VARCHAR(255),
    "template" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "values" JSONB NOT NULL DEFAULT '{}',
    "changes" JSONB,
    "context" JSONB,

    CONSTRAINT "event_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "fullName" TEXT NOT NULL,
    "email" TEXT NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "notes" TEXT,
    "ownerId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CertificateItem" (
    "id" SERIAL NOT NULL,
    "certificateId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "CertificateItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "event_log_object_idx" ON "event_log"("objectType", "objectId", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "event_log_tool_idx" ON "event_log"("tool", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "event_log_actor_idx" ON "event_log"("actorId", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "event_log_timestamp_idx" ON "event_log"("timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "CertificateItem_certificateId_idx" ON "CertificateItem"("certificateId");

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CertificateItem" ADD CONSTRAINT "CertificateItem_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate"("id") ON DELETE CASCADE ON UPDATE CASCADE;
