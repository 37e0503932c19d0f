"""The app's own data: call-back requests and feedback, the spool for when the database is
down, and the mailer that tells staff."""
