// eslint for the web chat's script (`make lint`, and CI through `make test`).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["bot/web/static/**/*.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "script", globals: { ...globals.browser } },
    rules: { "no-var": "error", "prefer-const": "error", eqeqeq: ["error", "always"] },
  },
];
