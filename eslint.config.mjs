// Lint: typescript-eslint's type-checked rules and Pulumi's rules against Outputs in template
// literals for the TypeScript; ESLint's recommended rules for the few plain scripts; nothing about
// layout (Prettier owns that).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", ".site/", "out/", "themes/"] },
    {
        files: ["**/*.ts"],
        extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // Jest's asymmetric matchers (expect.anything(), expect.stringMatching()) and JSON.parse
        // are typed any; in tests that is what they are for.
        files: ["test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    { files: ["**/*.js", "**/*.mjs"], extends: [js.configs.recommended], languageOptions: { globals: globals.node } },
    prettier,
);
