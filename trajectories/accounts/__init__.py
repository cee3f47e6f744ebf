"""Accounts: coordinators, their sign-in and password reset, and the single-use tokens of
participants' sign-in links.
"""
