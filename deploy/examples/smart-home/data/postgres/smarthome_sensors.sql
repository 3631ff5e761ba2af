-- Sensor readings and location data (PostgreSQL), in database smarthome_sensors.
CREATE TABLE devices (
    id BIGINT PRIMARY KEY,
    serial TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE readings (
    id BIGSERIAL PRIMARY KEY,
    device_id BIGINT NOT NULL REFERENCES devices (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    value DOUBLE PRECISION
);
-- The app's geofence: when the phone left or came home.
CREATE TABLE locations (
    id BIGSERIAL PRIMARY KEY,
    customer_number TEXT NOT NULL,
    at TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    event TEXT
);
INSERT INTO devices (id, serial, customer_number, kind) VALUES
    (1, 'TH-40001', 'K-3001', 'thermostat'),
    (2, 'MS-40002', 'K-3001', 'motion sensor'),
    (3, 'TH-40003', 'K-3002', 'thermostat'),
    (4, 'SM-40004', 'K-3003', 'smoke detector');
INSERT INTO readings (device_id, at, kind, value)
SELECT d.id, to_char(TIMESTAMP '2026-11-01 00:00:00' + h * INTERVAL '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       CASE d.id WHEN 2 THEN 'motion' WHEN 4 THEN 'smoke' ELSE 'temperature' END,
       CASE d.id WHEN 2 THEN h % 2 WHEN 4 THEN 0 ELSE 20.5 + (h % 5) * 0.3 END
FROM devices d, generate_series(0, 23) AS h;
INSERT INTO locations (customer_number, at, latitude, longitude, event) VALUES
    ('K-3001', '2026-11-01T07:45:00Z', 60.1699, 24.9384, 'left home'),
    ('K-3001', '2026-11-01T17:20:00Z', 60.1699, 24.9384, 'came home'),
    ('K-3002', '2026-11-01T08:10:00Z', 61.4978, 23.7610, 'left home'),
    ('K-3003', '2026-11-01T09:00:00Z', 65.0121, 25.4651, 'left home');
