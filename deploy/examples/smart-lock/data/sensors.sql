-- Room sensor telemetry (SQLite): temperature, humidity, CO2 and motion per sensor.
CREATE TABLE sensors (
    id INTEGER PRIMARY KEY,
    serial TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    room TEXT
);
CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    at TEXT NOT NULL,
    temperature_c REAL,
    humidity_pct REAL,
    co2_ppm INTEGER,
    motion INTEGER
);
INSERT INTO sensors (id, serial, customer_number, room) VALUES
    (1, 'RS-20001', 'C-2001', 'living room'),
    (2, 'RS-20002', 'C-2001', 'bedroom'),
    (3, 'RS-20003', 'C-2003', 'office');
INSERT INTO readings (sensor_id, at, temperature_c, humidity_pct, co2_ppm, motion) VALUES
    (1, '2026-11-02T08:00:00Z', 21.4, 38.0, 620, 1),
    (1, '2026-11-02T09:00:00Z', 21.6, 37.5, 710, 0),
    (2, '2026-11-02T08:00:00Z', 19.8, 41.0, 900, 0),
    (2, '2026-11-02T09:00:00Z', 19.9, 40.5, 540, 0),
    (3, '2026-11-02T08:00:00Z', 22.1, 33.0, 480, 1),
    (3, '2026-11-02T09:00:00Z', 22.3, 32.5, 830, 1);
