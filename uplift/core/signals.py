"""Signals of the core.

``bulk_saved`` is sent by a service that wrote many rows in one statement (``bulk_create``), which
Django's ``post_save`` does not see: receivers that keep derived data (the programme rollups) bring
it up to date for ``instances`` in the same transaction.
"""

from django.dispatch import Signal

#: sender: the model; instances: the rows written (with their primary keys).
bulk_saved = Signal()
