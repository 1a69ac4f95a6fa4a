"""The service desk around the workflow: queue tickets, complaints (pengaduan), follow-up tasks.

* :mod:`~siakgate.service_desk.queue` — numbered tickets per counter and WIB day (seed 001);
* :mod:`~siakgate.service_desk.complaints` — complaints and their escalation (seed 001);
* :mod:`~siakgate.service_desk.followups` — tasks after an application is done (seed 003), created by
  :class:`~siakgate.service_desk.hooks.FollowUps` (a workflow listener) in the transaction that
  finishes the application;
* :mod:`~siakgate.service_desk.desk` — :class:`ServiceDesk`, the async facade the API uses.

This package's ``__init__`` imports nothing.
"""
