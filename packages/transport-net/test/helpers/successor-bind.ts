/**
 * Run as another user by unix-socket-bind.test.ts: starts a listener on the path given, lets a
 * deploy script's successor take the path (the file removed, a second listener started), closes
 * the first, and prints whether the successor's socket survived, as JSON on one line.
 * Usage: successor-bind.ts <socket path>
 */
import { existsSync, lstatSync, rmSync } from "node:fs";
import { listenUnix } from "../../src/index.js";

const path = process.argv[2]!;
const predecessor = await listenUnix({ path }, (connection) => connection.reset());
rmSync(path);
const successor = await listenUnix({ path }, (connection) => connection.reset());
const inode = lstatSync(path).ino;
await predecessor.close();
const kept = existsSync(path) && lstatSync(path).ino === inode;
await successor.close();
console.log(JSON.stringify({ kept }));
