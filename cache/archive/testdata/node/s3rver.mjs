// Starts s3rver, an S3 implementation independent of gofakes3, on a free
// loopback port with one bucket, prints its URL and serves until stdin
// closes. Usage: node s3rver.mjs DATA_DIR BUCKET
import S3rver from 's3rver';

const [dir, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory: dir,
  configureBuckets: [{ name: bucket }],
});
const { address, port } = await server.run();
console.log(`http://${address}:${port}`);
process.stdin.resume();
process.stdin.on('end', async () => { await server.close(); process.exit(0); });
