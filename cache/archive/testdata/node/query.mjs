// Reads a spotscope archive with DuckDB, an engine independent of the Go
// Parquet library that wrote it, and prints what the Go test compares with
// the cache. Usage: node query.mjs ARCHIVE_DIR
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const glob = `${dir}/**/*.parquet`.replaceAll("'", "''");
const reader = await conn.runAndReadAll(`
  SELECT count(*)::BIGINT AS n,
         count(DISTINCT (region, availability_zone, instance_type, product))::BIGINT AS pools,
         sum(round(price * 1000000))::HUGEINT::VARCHAR AS micro_sum,
         epoch_ms(min("timestamp"))::BIGINT AS min_ms,
         epoch_ms(max("timestamp"))::BIGINT AS max_ms,
         count(DISTINCT month)::BIGINT AS months,
         count(availability_zone_id)::BIGINT AS with_az_id,
         typeof(any_value("timestamp")) AS ts_type,
         typeof(any_value(price)) AS price_type
  FROM read_parquet('${glob}', hive_partitioning = true)`);
const [row] = reader.getRowObjectsJson();
console.log(JSON.stringify(row));
