// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian sid's Docker.
import { firewallSuite } from "./host/firewallSuite";
import { engines } from "./host/sandbox";

describe(engines.sid.name, () => firewallSuite(engines.sid));
