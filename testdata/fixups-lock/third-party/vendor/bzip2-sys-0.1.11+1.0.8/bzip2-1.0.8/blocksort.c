int BZ2_blockSort(void) { return 0; }
