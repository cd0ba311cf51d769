// The policy pack, run with `pulumi preview --policy-pack policy` (and by the workflows).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("site", { policies });
