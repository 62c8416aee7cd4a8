BEGIN;
-- Create Model Manufacturer
CREATE TABLE "manufacturer" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL, "country" varchar(2) NOT NULL DEFAULT 'KE');
CREATE UNIQUE INDEX "manufacturer_name_uniq" ON "manufacturer" ("name");
-- Create Model Car
CREATE TABLE "car" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(30) NOT NULL, "manufacturer_id" integer NOT NULL REFERENCES "manufacturer" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, "owner_id" integer REFERENCES "local_user" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, "price" decimal NOT NULL DEFAULT 0, "released" datetime, "notes" text NOT NULL, CONSTRAINT "price_gte_0" CHECK (price >= 0));
CREATE INDEX "car_manufacturer_id_idx" ON "car" ("manufacturer_id");
CREATE INDEX "car_owner_id_idx" ON "car" ("owner_id");
CREATE UNIQUE INDEX "car_manufacturer_id_name_uniq" ON "car" ("manufacturer_id", "name");
CREATE INDEX "car_name_idx" ON "car" ("name", "released" DESC);
COMMIT;
