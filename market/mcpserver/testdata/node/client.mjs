// An independent MCP client: the official TypeScript SDK's stdio client
// starts `spotscope mcp --demo` (the command line is argv[2..]), lists the
// tools and resources, calls every tool, and prints one JSON report for the
// Go test (market/mcpserver/node_test.go) to check. Exits 1 on a failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "spotscope-e2e", version: "1.0.0" });
await client.connect(transport);

const report = { tools: [], calls: {}, resources: [] };
const tools = await client.listTools();
report.tools = tools.tools.map((t) => t.name).sort();
for (const t of tools.tools) {
  if (!t.inputSchema || t.inputSchema.type !== "object" || !t.outputSchema) {
    throw new Error(`tool ${t.name} lacks an input or output schema`);
  }
}

const calls = {
  regions: {},
  prices: { types: ["c5.large"], limit: 3 },
  stats: { types: ["c5.*"], window: "7d", sort: "cv", limit: 5 },
  history: { types: ["c5.large"], window: "7d", max_points: 30 },
  recommend: { vcpus: 2, memory_gib: 4, count: 4, hours: 3, checkpoint: "30m", export: "asg" },
  recommend_coupled: ["recommend", { gpus: 1, gpu_model: ["T4"], nodes: 4, hours: 48, checkpoint: "30m" }],
  bad_nodes: ["recommend", { nodes: 0 }],
  bad_argument: ["prices", { regoin: ["sa-east-1"] }],
  bad_type: ["stats", { limit: "ten" }],
  bad_window: ["stats", { window: "soon" }],
};
for (const [key, spec] of Object.entries(calls)) {
  const [name, a] = Array.isArray(spec) ? spec : [key, spec];
  // callTool validates structuredContent against the tool's output schema.
  const res = await client.callTool({ name, arguments: a });
  report.calls[key] = {
    isError: res.isError === true,
    text: res.content.filter((c) => c.type === "text").map((c) => c.text).join(""),
    structured: res.structuredContent ?? null,
  };
}

const resources = await client.listResources();
for (const r of resources.resources) {
  const got = await client.readResource({ uri: r.uri });
  report.resources.push({ uri: r.uri, bytes: got.contents[0].text.length });
}
await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
