// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian trixie's Docker.
import { firewallSuite } from "./host/firewallSuite";
import { engines } from "./host/sandbox";

describe(engines.trixie.name, () => firewallSuite(engines.trixie));
