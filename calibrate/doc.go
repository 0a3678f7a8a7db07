// Package calibrate measures, on a real broker, the constants that warren
// size's model otherwise takes from its defaults: the memory a queue takes
// per message by queue type and body size, the memory of an idle
// connection and channel, and the bytes on the wire per message.
//
// Run fills scratch queues (deleted afterwards, also on failure) and reads
// their memory from the management API, which it refuses when it serves
// another broker than the AMQP URI reaches. warren size calibrate writes
// what Run returns to a file that warren size --calibration reads.
package calibrate
