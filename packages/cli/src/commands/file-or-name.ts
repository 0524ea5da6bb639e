/** What destroy, inspect and graph say in their help of an argument that is both FILE and NAME. */
export const BOTH_FILE_AND_NAME =
  "A file or FIFO here named as a lab on this machine, but of another lab, is a usage error naming both: ./NAME is the file.";
