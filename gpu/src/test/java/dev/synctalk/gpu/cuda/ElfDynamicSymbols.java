package dev.synctalk.gpu.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads what the tests need from a little-endian ELF64 shared object without external tools: dynamic
 * symbols (imported or defined), the SONAME and the version definition names.
 */
final class ElfDynamicSymbols {
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    private static final long DT_SONAME = 14;

    private record Section(int type, long offset, long size, int link, long entrySize) {
    }

    private final ByteBuffer elf;
    private final List<Section> sections = new ArrayList<>();

    ElfDynamicSymbols(byte[] bytes) {
        this.elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || elf.getInt(0) != 0x464c457f || bytes[4] != 2 || bytes[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 file");
        }
        long sectionHeaders = elf.getLong(0x28);
        int entrySize = Short.toUnsignedInt(elf.getShort(0x3a));
        int count = Short.toUnsignedInt(elf.getShort(0x3c));
        for (int i = 0; i < count; i++) {
            int h = (int) (sectionHeaders + (long) i * entrySize);
            sections.add(new Section(elf.getInt(h + 4), elf.getLong(h + 0x18), elf.getLong(h + 0x20), elf.getInt(h + 0x28),
                    elf.getLong(h + 0x38)));
        }
    }

    /** Dynamic symbol names that are undefined here (imports), or defined here (exports). */
    Set<String> symbols(boolean undefined) {
        Set<String> names = new TreeSet<>();
        for (Section s : sections) {
            if (s.type() != SHT_DYNSYM) {
                continue;
            }
            Section strings = sections.get(s.link());
            for (long off = s.offset(); off < s.offset() + s.size(); off += s.entrySize()) {
                int nameIndex = elf.getInt((int) off);
                int sectionIndex = Short.toUnsignedInt(elf.getShort((int) off + 6));
                if (nameIndex != 0 && (sectionIndex == 0) == undefined) {
                    names.add(string(strings, nameIndex));
                }
            }
        }
        return names;
    }

    String soname() {
        for (Section s : sections) {
            if (s.type() != SHT_DYNAMIC) {
                continue;
            }
            Section strings = sections.get(s.link());
            for (long off = s.offset(); off < s.offset() + s.size(); off += 16) {
                if (elf.getLong((int) off) == DT_SONAME) {
                    return string(strings, elf.getLong((int) off + 8));
                }
            }
        }
        return null;
    }

    /** Names of the version definitions (the first is the file's own base version). */
    List<String> versionDefinitions() {
        List<String> names = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() != SHT_GNU_VERDEF) {
                continue;
            }
            Section strings = sections.get(s.link());
            long def = s.offset();
            while (true) {
                int aux = elf.getInt((int) def + 12);
                names.add(string(strings, Integer.toUnsignedLong(elf.getInt((int) (def + aux)))));
                int next = elf.getInt((int) def + 16);
                if (next == 0) {
                    break;
                }
                def += next;
            }
        }
        return names;
    }

    private String string(Section strings, long index) {
        int start = (int) (strings.offset() + index);
        int end = start;
        while (elf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        elf.get(start, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
