"""XLSX workbooks that unpack far beyond their size (zip bombs), built in memory in a moment.

A part of a gigabyte is not compressed byte by byte: its repeated body is deflated once, ending
on a full flush (which leaves the compressor without history, so the same body compresses to
the same bytes every time), and those bytes are repeated. zipfile cannot write compressed
bytes as they are, so the archive is written here (local headers, central directory), as
zipfile reads it.
"""

import struct
import zipfile
import zlib
from dataclasses import dataclass

MiB = 1024 * 1024
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET_START = DECLARATION + b"<worksheet " + NAMESPACE + b"><sheetData>"
SHEET_END = b"</sheetData></worksheet>"
STRINGS_START = DECLARATION + b"<sst " + NAMESPACE + b">"


@dataclass(frozen=True)
class Repeated:
    """A part's content: `start`, then `body` `times` over, then `end`."""

    start: bytes
    body: bytes
    times: int
    end: bytes

    @property
    def size(self) -> int:
        return len(self.start) + len(self.body) * self.times + len(self.end)

    def deflated(self) -> tuple[bytes, int]:
        """The raw deflate stream of the content, and the content's CRC-32."""
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = compressor.compress(self.start) + compressor.flush(zlib.Z_FULL_FLUSH)
        body = compressor.compress(self.body) + compressor.flush(zlib.Z_FULL_FLUSH)
        end = compressor.compress(self.end) + compressor.flush()
        crc = zlib.crc32(self.start)
        for _ in range(self.times):
            crc = zlib.crc32(self.body, crc)
        return start + body * self.times + end, zlib.crc32(self.end, crc)


def zip_archive(
    parts: dict[str, bytes | Repeated], *, stated_sizes: dict[str, int] | None = None
) -> bytes:
    """A zip archive of `parts`, deflated; `stated_sizes` overrides the size a part declares."""
    stated_sizes = stated_sizes or {}
    local, directory = b"", b""
    for name, content in parts.items():
        if isinstance(content, Repeated):
            data, crc = content.deflated()
            size = content.size
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = compressor.compress(content) + compressor.flush()
            crc, size = zlib.crc32(content), len(content)
        size = stated_sizes.get(name, size)
        encoded = name.encode()
        # Version 2.0, no flags, deflated, 1980-01-01 00:00.
        fields = (20, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, len(data), size, len(encoded), 0)
        directory += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
        # No comment, disk 0, no attributes, where the part's local header starts.
        directory += struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields)
        local += encoded + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(local), 0
    )
    return local + directory + end


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
TEXTS = ["list", "code", "label", "description", "actions", "sort_order", "active"]
TEXTS += ["max_minutes", "Support", "LUNCH", "Lunch", "take_break", "true"]
# A workbook as spreadsheet programs save it: the codes' header and one code, its texts in the
# shared strings (each cell's <v> is the index of its text there).
CODES_WORKBOOK = {
    "[Content_Types].xml": f"""<Types xmlns="{PACKAGE}/content-types">
        <Default Extension="rels"
            ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
        <Default Extension="xml" ContentType="application/xml"/>
        <Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>
        <Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>
    </Types>""",
    "_rels/.rels": f"""<Relationships xmlns="{PACKAGE}/relationships">
        <Relationship Id="rId1" Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/>
    </Relationships>""",
    "xl/workbook.xml": f"""<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}">
        <sheets><sheet name="Codes" sheetId="1" r:id="rId1"/></sheets>
    </workbook>""",
    "xl/_rels/workbook.xml.rels": f"""<Relationships xmlns="{PACKAGE}/relationships">
        <Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>
        <Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>
    </Relationships>""",
    "xl/worksheets/sheet1.xml": f"""<worksheet xmlns="{MAIN}"><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
            <c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>
            <c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c>
        </row>
        <row r="2"><c r="A2" t="s"><v>8</v></c><c r="B2" t="s"><v>9</v></c>
            <c r="C2" t="s"><v>10</v></c><c r="E2" t="s"><v>11</v></c><c r="F2"><v>0</v></c>
            <c r="G2" t="s"><v>12</v></c><c r="H2"><v>60</v></c>
        </row>
    </sheetData></worksheet>""",
    "xl/sharedStrings.xml": f"""<sst xmlns="{MAIN}">
        {"".join(f"<si><t>{text}</t></si>" for text in TEXTS)}
    </sst>""",
}


def workbook_with(replaced: dict[str, bytes | Repeated], **options) -> bytes:
    """The codes' workbook (a header and the code LUNCH), with parts replaced or added."""
    parts = {name: DECLARATION + text.encode() for name, text in CODES_WORKBOOK.items()}
    return zip_archive({**parts, **replaced}, **options)


def huge_shared_string(size: int) -> bytes:
    """A workbook whose shared strings are one string of `size` bytes (the review's bomb)."""
    return workbook_with(
        {
            "xl/sharedStrings.xml": Repeated(
                STRINGS_START + b"<si><t>", b"x" * MiB, size // MiB, b"</t></si></sst>"
            )
        }
    )


def sheet_of_cells(rows: int, columns: int) -> bytes:
    """A workbook whose first sheet has `rows` rows of `columns` cells holding 1."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    rows_per_body = 1000
    return workbook_with(
        {
            "xl/worksheets/sheet1.xml": Repeated(
                SHEET_START, row * rows_per_body, rows // rows_per_body, SHEET_END
            )
        }
    )
