-- Create Model Manufacturer
CREATE TABLE `manufacturer` (
    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `name` varchar(100) NOT NULL,
    `country` varchar(2) NOT NULL DEFAULT 'KE',
    CONSTRAINT `manufacturer_name_uniq` UNIQUE (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- Create Model Car
CREATE TABLE `car` (
    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `name` varchar(30) NOT NULL,
    `manufacturer_id` bigint NOT NULL,
    `owner_id` bigint NULL,
    `price` decimal(10,2) NOT NULL DEFAULT 0,
    `released` datetime(6) NULL,
    `notes` longtext NOT NULL,
    CONSTRAINT `car_manufacturer_id_name_uniq` UNIQUE (`manufacturer_id`, `name`),
    CONSTRAINT `price_gte_0` CHECK (price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX `car_manufacturer_id_idx` ON `car` (`manufacturer_id`);
CREATE INDEX `car_owner_id_idx` ON `car` (`owner_id`);
CREATE INDEX `car_name_idx` ON `car` (`name`, `released` DESC);
ALTER TABLE `car` ADD CONSTRAINT `car_manufacturer_id_fk` FOREIGN KEY (`manufacturer_id`) REFERENCES `manufacturer` (`id`) ON DELETE CASCADE;
ALTER TABLE `car` ADD CONSTRAINT `car_owner_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `local_user` (`id`) ON DELETE SET NULL;
