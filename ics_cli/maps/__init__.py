"""`ics map`: boundaries read from the database (no geometry library) and drawn in the terminal,
as SVG or as GeoJSON. Imported only by `ics map`, so no other command pays for it.

- :mod:`.shapes` decodes the stored shapes and projects them onto a page;
- :mod:`.areas` chooses what a map of an organisation on a day shows, and says which edition;
- :mod:`.terminal`, :mod:`.svg` and :mod:`.geojson` draw or write it;
- :mod:`.output` makes the map in the format asked and delivers it (:func:`.output.deliver`:
  to FILE with ``-o``, or to standard output), the entry point of the command.
"""
