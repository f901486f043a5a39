#include "core/data/mask/mask_api.h"
