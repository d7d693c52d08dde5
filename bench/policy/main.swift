// Placeholder benchmark; see bench/README.md
