"""The public web app (`bot web`): the chat API in front of Rasa and the web chat's pages.
Never imports Rasa, spaCy or the assistant: it stays small and starts fast."""
