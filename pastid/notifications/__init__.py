"""Notifications to citizens: messages built from templates, their transports, the outbox.

The messages module builds every e-mail and SMS from templates in the citizen's
language. The sms module defines the SMS gateway interface and its HTTP implementation.
The models and outbox modules queue each message once and deliver it with retries.
E-mail goes through pastid.mail, whose MAIL_TRANSPORT setting chooses SMTP or the
outbox folder.
"""
