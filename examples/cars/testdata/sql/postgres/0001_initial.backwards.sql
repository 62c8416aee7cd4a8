BEGIN;
-- Undo Create Model User
DROP TABLE "local_user";
COMMIT;
