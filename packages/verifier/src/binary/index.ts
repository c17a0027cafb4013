export { type BinaryFormat, BinaryFormatError, type BinaryInfo } from "./binary-info.js";
export { BinaryScanner, type BinaryScannerOptions, HeadScratch } from "./binary-scanner.js";
export { readBinaryFile, readBinaryInfo, sniffBinary } from "./read-binary.js";
export { selectSlice } from "./select-slice.js";
