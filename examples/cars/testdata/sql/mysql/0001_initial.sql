-- Create Model User
CREATE TABLE `local_user` (
    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `username` varchar(150) NOT NULL,
    `email` varchar(254) NOT NULL,
    `joined` date NOT NULL,
    `active` bool NOT NULL DEFAULT 1,
    CONSTRAINT `local_user_username_uniq` UNIQUE (`username`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
