#define ERROR(e) (-(e))
