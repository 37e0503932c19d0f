"""The web chat's interface strings, translated on the server and sent to the widget.

Keeping them here, in the same Babel catalogs as the assistant's replies, means
translators have one file per language and the widget ships no strings of its own.
"""

from __future__ import annotations

from typing import Any

from bot.core.i18n import N_, direction, gettext_for

# Each language's name in that language, so a family can find their own without reading English.
LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "ro": "Română",
    "uk": "Українська",
    "ur": "اردو",
    "ne": "नेपाली",
}

STRINGS = {
    "title": N_("Ask a question about SEND"),
    "intro": N_(
        "This is an automated assistant from Kent County Council, not a person. "
        "It answers questions about special educational needs and disabilities (SEND) in Kent."
    ),
    "personal": N_("Do not type personal details, such as your child's name or your address."),
    "language": N_("Language"),
    "easy_read": N_("Easy read"),
    "easy_read_hint": N_("Short sentences and simple words"),
    "talk_to_person": N_("Talk to a person"),
    "start_again": N_("Start again"),
    "conversation": N_("Conversation"),
    "you": N_("You"),
    "assistant": N_("Assistant"),
    "question": N_("Your question"),
    "question_hint": N_("For example, what is an EHCP?"),
    "question_error": N_("Type a question"),
    "send": N_("Send"),
    "waiting": N_("Getting an answer…"),
    "unavailable": N_("Sorry, the assistant is not working right now. Try again in a minute, or call one of these numbers:"),
    "contacts": N_("Contact details"),
    "phone": N_("Phone"),
    "text_relay": N_("Text relay"),
    "email": N_("Email"),
    "website": N_("Website"),
    "services": N_("Services"),
    "ages": N_("Ages"),
    "area": N_("Area"),
    "out_of_date": N_("May be out of date"),
    "helpful": N_("Was this helpful?"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "comment": N_("What was wrong with this answer? (optional)"),
    "comment_hint": N_("Do not include personal details, such as names, phone numbers or email addresses."),
    "send_feedback": N_("Send feedback"),
    "feedback_thanks": N_("Thank you for your feedback."),
    "feedback_failed": N_("Sorry, your feedback was not sent. Try again later."),
    "download": N_("Download conversation"),
    "print": N_("Print conversation"),
    "transcript_title": N_("Conversation with the Kent SEND assistant"),
    "callback_title": N_("Ask for a call-back"),
    "callback_name": N_("Your name"),
    "callback_phone": N_("UK phone number"),
    "callback_phone_hint": N_("Give a phone number, an email address, or both."),
    "callback_email": N_("Email address"),
    "callback_time": N_("When is a good time to call? (optional)"),
    "callback_time_hint": N_("For example, weekday mornings"),
    "callback_message": N_("What would you like to talk about? (optional)"),
    "callback_privacy": N_("We only use these details to contact you about your request, and we delete them after 90 days."),
    "privacy_link": N_("Read our privacy notice"),
    "callback_consent": N_("I agree that Kent County Council can store these details to contact me"),
    "callback_submit": N_("Send request"),
    "callback_sent": N_("Request sent"),
    "callback_reference": N_("Your reference is {reference}"),
    "callback_next": N_("The SEND team will contact you using the details you gave. Keep your reference to hand."),
    "error_summary": N_("There is a problem"),
    "error": N_("Error:"),
    "error_name": N_("Enter your name"),
    "error_name_long": N_("Your name must be 100 characters or fewer"),
    "error_phone": N_("Enter a UK phone number we can call, or leave it empty and give an email address"),
    "error_email": N_("Enter an email address in the correct format, like name@example.com"),
    "error_contact": N_("Enter a phone number or an email address"),
    "error_time": N_("When to call must be 100 characters or fewer"),
    "error_message": N_("What you would like to talk about must be 1,000 characters or fewer"),
    "error_consent": N_("Tick the box to agree, so we can contact you"),
    "error_other": N_("Sorry, something went wrong. Try again, or call one of the numbers in the chat."),
    "dates_button": N_("Work out my dates"),
    "dates_title": N_("Work out my dates"),
    "dates_intro": N_("Choose what you want to work out, then give the dates from your letter. The answer appears in the chat."),
    "dates_which": N_("What do you want to work out?"),
    "dates_hint": N_("For example, 14 7 2026"),
    "dates_hint_month": N_("For example, 1 9 2027. If you do not know the day, leave it empty."),
    "date_day": N_("Day"),
    "date_month": N_("Month"),
    "date_year": N_("Year"),
    "dates_submit": N_("Work out the dates"),
    "dates_close": N_("Close"),
    "error_date_missing": N_("Enter the date"),
    "error_date_real": N_("Enter a real date, like 14 7 2026"),
    "add_to_calendar": N_("Add to my calendar"),
}


def widget_strings(language: str, languages: tuple[str, ...]) -> dict[str, Any]:
    """Everything the widget shows in one language, with the languages it can switch to."""
    _ = gettext_for(language)
    return {
        "language": language,
        "direction": direction(language),
        "languages": [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "direction": direction(code)} for code in languages],
        "strings": {key: _(text) for key, text in STRINGS.items()},
    }
