// The host firewall suite (test/sandbox/firewallSuite.ts) on Debian bookworm's Docker.
import { firewallSuite } from "./host/firewallSuite";
import { engines } from "./host/sandbox";

describe(engines.bookworm.name, () => firewallSuite(engines.bookworm));
