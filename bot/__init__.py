"""The Kent SEND assistant, grouped by where each part runs.

One message travels web -> nlu -> assistant -> storage:

- `bot.web`: the public aiohttp app (chat API, pages, rate limits, replicas, degraded mode);
- `bot.nlu`: what runs inside Rasa (the featurizer, the server launcher) and trains it;
- `bot.assistant`: what runs in the action server: content, safety, and the reply;
- `bot.storage`: the app's own database, the call-back spool and the mailer;
- `bot.core`: settings and the small shared pieces every process uses;
- `bot.ops`: the `bot` command, the process stack, evaluation and the bench.

docs/architecture.md draws it, and the import-linter contracts in .importlinter keep it so.
"""
