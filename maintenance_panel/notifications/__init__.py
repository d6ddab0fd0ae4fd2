"""Notifications: telling the team when maintenance starts, ends or changes.

- :mod:`~maintenance_panel.notifications.events`: the webhook document of an event
  (:func:`~maintenance_panel.notifications.events.build_payload`) and storing an event
  once for the whole fleet (:func:`~maintenance_panel.notifications.events.store`);
- :mod:`~maintenance_panel.notifications.switches`: the events of a saved change
  (``switched_on``, ``switched_off``, ``changed``), made by a receiver of
  ``maintenance_config_saved``;
- :mod:`~maintenance_panel.notifications.delivery`: one delivery per webhook and per
  e-mail address, sent off the request path by a background thread, with retries;
- :mod:`~maintenance_panel.notifications.webhooks`: the ``MAINTENANCE_MODE_WEBHOOKS``
  setting, the body of each format, its signature and the POST;
- :mod:`~maintenance_panel.notifications.mail`: who gets an e-mail and what it says;
- :mod:`~maintenance_panel.notifications.text`: an event in words (the e-mail, Slack
  and Teams);
- :mod:`~maintenance_panel.notifications.boundaries`: the window events (``window_opened``,
  ``window_closed``) and the reminder (``still_on``) due at a moment, and the next one;
- :mod:`~maintenance_panel.notifications.noticing`: claiming one in the shared cache and
  storing it once for the fleet;
- :mod:`~maintenance_panel.notifications.watcher`: the thread that notices them in a
  process that serves requests.

The panel's "Notifications" section and the list of deliveries are in the admin
(:mod:`maintenance_panel.admin.presentation`, :mod:`maintenance_panel.admin.deliveries`).
"""
