"""Size limits shared by the readers: one huge file must not exhaust memory or stall a build."""

# A single article (a file for .txt/.html, a line for .jsonl) larger than this is skipped with a message.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024
