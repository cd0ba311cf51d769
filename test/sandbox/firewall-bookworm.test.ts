// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian bookworm's Docker.
import { firewallSuite } from "./sandbox/firewallSuite";
import { engines } from "./sandbox/sandbox";

describe(engines.bookworm.name, () => firewallSuite(engines.bookworm));
