#define BZ_RUN 0
