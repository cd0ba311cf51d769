// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian trixie's Docker.
import { firewallSuite } from "./sandbox/firewallSuite";
import { engines } from "./sandbox/sandbox";

describe(engines.trixie.name, () => firewallSuite(engines.trixie));
