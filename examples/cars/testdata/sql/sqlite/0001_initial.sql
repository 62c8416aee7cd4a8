BEGIN;
-- Create Model User
CREATE TABLE "local_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "username" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "joined" date NOT NULL, "active" bool NOT NULL DEFAULT 1);
CREATE UNIQUE INDEX "local_user_username_uniq" ON "local_user" ("username");
COMMIT;
