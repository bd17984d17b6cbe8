// A TCP proxy between the browser and the server whose connections a test can cut,
// to drop the page's live stream the way a flaky classroom Wi-Fi does.
//
// `cut()` destroys every open connection and holds new ones: they are accepted but get no
// bytes (the browser sees a slow network, not an error) until `restore()` joins them to
// the server.

import net from "node:net";

export async function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  let held = null;

  const join = (client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  };

  const server = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    if (held) held.push(client);
    else {
      client.resume();
      join(client);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Drops every connection and holds new ones until `restore`. */
    cut() {
      held = [];
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    /** Lets held and new connections through again. */
    restore() {
      const waiting = held || [];
      held = null;
      for (const client of waiting) {
        if (client.destroyed) continue;
        client.resume();
        join(client);
      }
    },
    close() {
      for (const socket of sockets) socket.destroy();
      for (const client of held || []) client.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
