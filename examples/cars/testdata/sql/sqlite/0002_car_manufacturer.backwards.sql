BEGIN;
-- Undo Create Model Car
DROP TABLE "car";
-- Undo Create Model Manufacturer
DROP TABLE "manufacturer";
COMMIT;
