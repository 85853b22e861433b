"""What the configuration imports share (docs/imports.md): all or nothing, clear messages.

`resources.ConfigurationResource` is the base of the three import resources. On top of
django-import-export it adds what every import needs, in the admin and in the `import` command
alike: file-level checks (empty file, missing or unknown columns), errors keyed by the file's
column names, repeated rows refused, rows numbered as a spreadsheet shows them (header =
line 1), a rollback whenever any row is invalid, re-imports that change nothing, and exports
whose cells cannot run as spreadsheet formulas (`core.formulas`). `cells` and `widgets` read
the cells; `files` reads CSV and XLSX files (`workbooks` bounds what an XLSX file may unpack to).
"""
