#!/usr/bin/env bash
# Makes sure the PostgreSQL and MariaDB servers the tests use are installed
# and running on this machine, then exports their URLs. Sourced by
# scripts/test; safe to run again (it only acts on what is missing).
set -euo pipefail

pm_log() { printf 'services: %s\n' "$*" >&2; }

pm_apt_install() {
	if [ "$(id -u)" != 0 ]; then
		pm_log "cannot install $* without root; install it and run again"
		return 1
	fi
	pm_log "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pm_wait() { # pm_wait NAME COMMAND...: retry for up to 60 s
	local name=$1; shift
	for _ in $(seq 1 60); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 1
	done
	pm_log "$name did not come up within 60 s"
	return 1
}

pm_postgres() {
	if ! command -v pg_ctlcluster >/dev/null 2>&1; then
		pm_apt_install postgresql
	fi
	if ! pg_isready -q -h 127.0.0.1 -p 5432; then
		local version
		version=$(ls /etc/postgresql | sort -V | tail -n 1)
		pm_log "starting PostgreSQL $version"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
		pm_wait PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
	fi
	# A fresh install asks for a password over TCP; the tests use trust on loopback.
	if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
		local hba
		hba=$(su postgres -c "psql -Atqc 'show hba_file'")
		pm_log "allowing trust auth on loopback in $hba"
		sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
		su postgres -c "psql -qc 'select pg_reload_conf()'" >/dev/null
	fi
	if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname='test'" | grep -q 1; then
		psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
	fi
}

pm_mariadb() {
	if [ ! -x /usr/sbin/mariadbd ]; then
		pm_apt_install mariadb-server
	fi
	if ! mysqladmin -uroot -h127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1; then
		pm_log "starting MariaDB"
		mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
		start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
		pm_wait MariaDB mysqladmin -uroot --connect-timeout=2 ping
	fi
	# A fresh install lets root in through the socket only; the tests log in over TCP.
	if ! mysql -uroot -h127.0.0.1 -e 'select 1' >/dev/null 2>&1; then
		pm_log "allowing root with an empty password over TCP"
		mysql -uroot -e "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD(''); CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
	fi
	mysql -uroot -h127.0.0.1 -e 'create database if not exists test'
}

# pm_django installs what the inspectdb tests use to create a real schema:
# Debian's Django 3.2 and its PostgreSQL and MySQL drivers.
pm_django() {
	local pkgs=()
	/usr/bin/python3 -c 'import django' >/dev/null 2>&1 || pkgs+=(python3-django)
	/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || pkgs+=(python3-psycopg2)
	/usr/bin/python3 -c 'import MySQLdb' >/dev/null 2>&1 || pkgs+=(python3-mysqldb)
	if [ "${#pkgs[@]}" -gt 0 ]; then
		pm_apt_install "${pkgs[@]}" || pm_log "the inspectdb tests skip without Django, and fail without its drivers"
	fi
}

pm_postgres
pm_mariadb
pm_django
export PMANAGER_TEST_POSTGRES="${PMANAGER_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export PMANAGER_TEST_MYSQL="${PMANAGER_TEST_MYSQL:-mysql://root@127.0.0.1:3306/test}"
export PMANAGER_TEST_REQUIRE_DATABASES=1
pm_log "PostgreSQL and MariaDB are up"
