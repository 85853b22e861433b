"""How far an XLSX workbook may expand, checked before openpyxl parses it.

An XLSX file is a zip archive of XML parts, and its size says little about what it holds: a
1 MB file can unpack to a gigabyte of text or to ten million cells. openpyxl would read them
into memory (every shared string as the workbook opens, a sheet row by row, each row whole),
for minutes. So `check_workbook` first reads

- the zip directory: how many parts, how each is compressed, how large each unpacks, in all,
  and how much larger than packed. zipfile never inflates a part beyond the size the
  directory gives it (a part holding more fails its checksum, and the file reads as damaged),
  so these sizes bound what openpyxl can read;
- then every part through expat, keeping nothing: no document type declaration (whose
  entities can expand without limit), a bounded number of XML elements in cells and texts and
  besides them, no row wider than a spreadsheet's, and a bounded number of cells in the rows
  as openpyxl lays them out.

A workbook that passes holds at most what a configuration of 100,000 rows of a dozen columns
needs, as spreadsheet programs save it (docs/imports.md); `files.XLSX.read_rows` then bounds
the first sheet's rows, columns and texts as it reads them.
"""

import zipfile
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MiB = 1024 * 1024
MAX_PARTS = 1_000
MAX_PART_BYTES = 64 * MiB
MAX_WORKBOOK_BYTES = 128 * MiB
# A part larger than RATIO_FROM_BYTES may unpack to at most MAX_RATIO times its packed size:
# spreadsheet XML packs 5 to 30 times, a zip bomb a thousand times.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 * MiB
# XML elements inside rows and shared strings: about two per cell and two per distinct text,
# which spreadsheet programs write at about one for every two bytes of the file (text packs
# less tightly than markup), a bomb at thousands per byte. openpyxl reads some 100,000 cells a
# second, so a small file may not hold many.
MAX_CELL_ELEMENTS = 4_000_000
CELL_ELEMENTS_FLOOR = 200_000
CELL_ELEMENTS_PER_PACKED_BYTE = 1
# Elements elsewhere (styles, sheet settings, links, merged ranges…), each read slower still.
MAX_OTHER_ELEMENTS = 50_000
# Cells of the rows as openpyxl lays them out: each row as wide as the column of its last cell.
MAX_CELLS = 2_000_000
# A spreadsheet's last column, XFD.
SPREADSHEET_COLUMNS = 16_384
COMPRESSIONS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
CHUNK_BYTES = 64 * 1024


class WorkbookRefused(Exception):
    """The workbook would unpack to more than an import reads; the message says what."""


def check_workbook(archive: zipfile.ZipFile) -> None:
    """Refuse, with WorkbookRefused, a workbook that unpacks beyond the limits above."""
    parts = archive.infolist()
    check_directory(parts)
    budget = Budget(packed_bytes=sum(part.compress_size for part in parts))
    for part in parts:
        scan_part(archive, part, budget)


def check_directory(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise WorkbookRefused(
            _(
                "The workbook is made of %(parts)s files; an import reads workbooks of at most "
                "%(max)s. Save it again from a spreadsheet program."
            )
            % {"parts": f"{len(parts):,}", "max": f"{MAX_PARTS:,}"}
        )
    for part in parts:
        if part.compress_type not in COMPRESSIONS:
            raise WorkbookRefused(
                _(
                    "The workbook's part %(part)s is compressed in a way spreadsheet programs "
                    "do not use. Save it again from a spreadsheet program."
                )
                % {"part": part.filename}
            )
        if part.file_size > MAX_PART_BYTES:
            raise WorkbookRefused(
                _(
                    "The workbook's part %(part)s unpacks to %(size)s; an import reads parts of "
                    "at most %(max)s. Split the file into smaller ones, or import it as CSV."
                )
                % {
                    "part": part.filename,
                    "size": filesizeformat(part.file_size),
                    "max": filesizeformat(MAX_PART_BYTES),
                }
            )
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * part.compress_size:
            raise WorkbookRefused(
                _(
                    "The workbook's part %(part)s unpacks to %(ratio)s times its packed size "
                    "(%(packed)s to %(size)s); spreadsheet files never pack that tightly, and "
                    "an import reads parts that unpack to at most %(max)s times their size."
                )
                % {
                    "part": part.filename,
                    "ratio": f"{part.file_size // max(part.compress_size, 1):,}",
                    "packed": filesizeformat(part.compress_size),
                    "size": filesizeformat(part.file_size),
                    "max": MAX_RATIO,
                }
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_WORKBOOK_BYTES:
        raise WorkbookRefused(
            _(
                "The workbook unpacks to %(size)s; an import reads workbooks of at most %(max)s "
                "unpacked. Split the file into smaller ones, or import it as CSV."
            )
            % {"size": filesizeformat(total), "max": filesizeformat(MAX_WORKBOOK_BYTES)}
        )


class Budget:
    """What the parts read so far have left of the workbook's elements and cells."""

    def __init__(self, *, packed_bytes: int) -> None:
        self.max_cell_elements = min(
            MAX_CELL_ELEMENTS, CELL_ELEMENTS_FLOOR + CELL_ELEMENTS_PER_PACKED_BYTE * packed_bytes
        )
        self.cell_elements = self.max_cell_elements
        self.other_elements = MAX_OTHER_ELEMENTS
        self.cells = MAX_CELLS

    def spend(self, *, cell_elements: int, other_elements: int) -> None:
        self.cell_elements -= cell_elements
        self.other_elements -= other_elements
        if self.cell_elements < 0:
            raise WorkbookRefused(
                _(
                    "The workbook's cells and texts are written with more than %(max)s XML "
                    "elements: an import reads %(floor)s plus %(per_byte)s per byte of the file "
                    "(spreadsheet programs write about one for every two bytes), and at most "
                    "%(most)s. Split the file into smaller ones, or import it as CSV."
                )
                % {
                    "max": f"{self.max_cell_elements:,}",
                    "floor": f"{CELL_ELEMENTS_FLOOR:,}",
                    "per_byte": CELL_ELEMENTS_PER_PACKED_BYTE,
                    "most": f"{MAX_CELL_ELEMENTS:,}",
                }
            )
        if self.other_elements < 0:
            raise WorkbookRefused(
                _(
                    "The workbook holds more than %(max)s XML elements besides its cells and "
                    "texts (styles, links, merged cells…); an import reads at most that. Copy "
                    "the cells into a new workbook, or import them as CSV."
                )
                % {"max": f"{MAX_OTHER_ELEMENTS:,}"}
            )

    def spend_cells(self, count: int) -> None:
        self.cells -= count
        if self.cells < 0:
            raise WorkbookRefused(
                _(
                    "The workbook's sheets span more than %(max)s cells (each row counted up to "
                    "its last cell); an import reads at most that. Split the file into smaller "
                    "ones, or import it as CSV."
                )
                % {"max": f"{MAX_CELLS:,}"}
            )


# Parts that openpyxl parses whole into a tree, whatever they hold: all their elements count
# as "other" ones.
WHOLE_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "docProps/")
# Elements are spent from the budget in batches: one call per element would cost more.
BATCH = 4096


def scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, budget: Budget) -> None:
    """Read one part through expat, keeping nothing, and spend its elements and cells.

    Wherever rows are (openpyxl reads a `row` in any part it reads as a sheet), each child
    of a row is a cell for openpyxl, and the row as wide as the column of its last child.
    The parser's handlers change as it enters and leaves a row or a shared string, so that
    each element costs as little as it can: expat calls them some ten million times for the
    largest workbook. Names are compared as written (`row`, or `x:row` with a prefix): expat's
    namespace processing would double the cost.
    """
    name = part.filename
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = lambda *declaration: refuse_doctype(name)
    in_cells = elsewhere = 0  # elements not yet spent from the budget
    depth = 0  # elements open inside the current row or shared string
    row = ""  # the current row's number, as written
    cells = 0  # children of the current row
    last_reference = ""  # the r="…" of the row's last child that has one
    after_reference = 0  # children without r="…" after it, each one column further

    def count_elsewhere(element: str, attributes: dict) -> None:
        nonlocal elsewhere
        elsewhere += 1
        if elsewhere == BATCH:
            budget.spend(cell_elements=0, other_elements=elsewhere)
            elsewhere = 0

    def outside(element: str, attributes: dict) -> None:
        nonlocal in_cells, row, cells, last_reference, after_reference
        if element == "row" or element.endswith(":row"):
            row, cells, last_reference, after_reference = attributes.get("r", ""), 0, "", 0
            parser.StartElementHandler, parser.EndElementHandler = in_row, end_in_row
        elif element == "si" or element.endswith(":si"):
            parser.StartElementHandler, parser.EndElementHandler = in_string, end_in_string
        else:
            count_elsewhere(element, attributes)
            return
        in_cells += 1

    def in_row(element: str, attributes: dict) -> None:
        nonlocal in_cells, depth, cells, last_reference, after_reference
        in_cells += 1
        if in_cells == BATCH:
            budget.spend(cell_elements=in_cells, other_elements=0)
            in_cells = 0
        if not depth:  # a child of the row: a cell, for openpyxl
            cells += 1
            if cells > SPREADSHEET_COLUMNS:
                raise too_wide(name, row)
            reference = attributes.get("r")
            if reference:
                last_reference, after_reference = reference, 0
            else:
                after_reference += 1
        if element == "row" or element.endswith(":row"):
            # openpyxl would read it as a row of its own, its cells unseen here.
            raise WorkbookRefused(
                _("The workbook's part %(part)s has a row inside a row.") % {"part": name}
            )
        depth += 1

    def end_in_row(element: str) -> None:
        nonlocal depth
        if depth:
            depth -= 1
            return
        width = column_number(last_reference) + after_reference
        if width > SPREADSHEET_COLUMNS:
            raise too_wide(name, row)
        budget.spend_cells(width)
        parser.StartElementHandler, parser.EndElementHandler = outside, None

    def in_string(element: str, attributes: dict) -> None:
        nonlocal in_cells, depth
        in_cells += 1
        if in_cells == BATCH:
            budget.spend(cell_elements=in_cells, other_elements=0)
            in_cells = 0
        depth += 1

    def end_in_string(element: str) -> None:
        nonlocal depth
        if depth:
            depth -= 1
            return
        parser.StartElementHandler, parser.EndElementHandler = outside, None

    whole = name.startswith(WHOLE_PARTS) or name.endswith(".rels")
    parser.StartElementHandler = count_elsewhere if whole else outside
    with archive.open(part) as stream:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            # Not XML (an image), or damaged XML, which openpyxl refuses when it reads it:
            # what came before was counted.
            pass
    budget.spend(cell_elements=in_cells, other_elements=elsewhere)


def refuse_doctype(part: str) -> None:
    raise WorkbookRefused(
        _(
            "The workbook's part %(part)s declares a document type, which spreadsheet programs "
            "never write (its entities could expand without limit)."
        )
        % {"part": part}
    )


def too_wide(part: str, row: str) -> WorkbookRefused:
    return WorkbookRefused(
        _(
            "Row %(row)s of the workbook's part %(part)s has cells beyond column XFD, the last "
            "column of a spreadsheet."
        )
        % {"row": row or "?", "part": part}
    )


def column_number(reference: str) -> int:
    """The column of a cell reference: 28 for `AB12`, 0 for none."""
    letters = ""
    for character in reference.lstrip("$")[:4]:
        if not character.isalpha():
            break
        letters += character
    if len(letters) > 3:
        return SPREADSHEET_COLUMNS + 1
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number
