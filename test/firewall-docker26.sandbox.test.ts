// The host firewall suite (test/sandbox/firewallSuite.ts) on Docker 26.1, the generation Ubuntu 24.04 ships.
import { engines } from "./sandbox/sandbox";
import { firewallSuite } from "./sandbox/firewallSuite";

describe(engines.docker26.name, () => firewallSuite(engines.docker26));
