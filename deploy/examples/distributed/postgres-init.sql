-- The example CRM's database, on the event store's server (compose only).
CREATE DATABASE crm;
