// A real forward proxy in its own process: the `proxy` package from npm (CONNECT for https, absolute
// URLs for http). Prints "listening <port>", then one line per request it forwards.
import { createServer } from "node:http";
import { createProxy } from "proxy";

const server = createProxy(createServer());
server.on("connect", (req) => process.stdout.write(`CONNECT ${req.url}\n`));
server.on("request", (req) => process.stdout.write(`${req.method} ${req.url}\n`));
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening ${server.address().port}\n`));
