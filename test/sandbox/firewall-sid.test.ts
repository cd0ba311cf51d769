// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian sid's Docker.
import { firewallSuite } from "./sandbox/firewallSuite";
import { engines } from "./sandbox/sandbox";

describe(engines.sid.name, () => firewallSuite(engines.sid));
