// Filled by the ibmad CLI work.
